
app_name = "learning"

urlpatterns: list = []
