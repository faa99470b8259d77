"""`tipbot preview`: a local page showing every tip the way Slack would, for admins."""
