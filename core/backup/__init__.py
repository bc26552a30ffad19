"""Backups that restore (docs/backup.md): the media copy, each backup's manifest, and the
checks a restored instance must pass. The database is copied by pgBackRest
(scripts/backup.sh); this package imports no app, reading the models through the app
registry."""
