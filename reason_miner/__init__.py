"""reason-miner: read 财政项目支出绩效自评表, check them, and mine the causes of lost points."""

from .load import LoadResult, load, load_file
from .model import Form, Indicator, ReadError, Source

__version__ = "0.1.0"
__all__ = ["Form", "Indicator", "LoadResult", "ReadError", "Source", "load", "load_file"]
