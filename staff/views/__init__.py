"""The staff workspace pages, one module per screen: thin views over staff.services and
staff.selectors. Every page goes through `staff.access.workspace`, which answers 404 to anyone
without a role in the project."""
