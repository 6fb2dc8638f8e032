"""Who is calling the panel API: the Discord login, the session authentication, the permission check."""
