"""Putting xlcrm into a manager's Excel (installer) and saying what is wrong when it does not
work (doctor). Both take the platform and the home folder as arguments, so they are tested
on fake Windows and macOS home folders."""
