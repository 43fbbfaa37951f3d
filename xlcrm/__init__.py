"""xlcrm: the quarterly grade review of retail customers on visit routes (客户管理)."""

__version__ = "0.1.0"
