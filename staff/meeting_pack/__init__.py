"""The meeting pack: the proposals a partners' meeting decides on, gathered (data), mapped
(maps), asked for by address (request) and written as a page or a PDF (render)."""
