"""The bot process (``manage.py runbot``) and the process runner (``manage.py runall``)."""
