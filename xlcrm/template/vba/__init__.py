"""The VBA project inside the template (vbaProject.bin), written without Excel: MS-OVBA
records and compression (project.py) in an MS-CFB compound file (cfb.py). See README.md."""
