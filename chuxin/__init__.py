"""Chuxin (初心): party-member education, gaps and rectification."""
