"""``chuxin demo``: the vocabulary (``data``) and the bulk loader (``builder``)."""

from orgs.demo.builder import holds_real_data, load_demo, wipe
from orgs.demo.data import MIN_MEMBERS

__all__ = ["MIN_MEMBERS", "holds_real_data", "load_demo", "wipe"]
