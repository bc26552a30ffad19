"""How each output is read: one small function per output, (client, project, filters) ->
Figures, or None when the output cannot express the filters. The list of them is
tests/consistency/registry.py."""
