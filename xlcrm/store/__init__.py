"""The customer store (客户档案库): every recorded quarter's district grades and purchases and
the route customers of each recorded build, in one SQLite file by default or a department's
PostgreSQL database through a URL — the same SQLAlchemy code for both."""
