"""The shells a person starts: the command line, a quarterly run on files and a department's
run over every manager's routes."""
