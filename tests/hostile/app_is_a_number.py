# kind: import
# says: `app` in app_is_a_number.py is int 42, not an application
app = 42
