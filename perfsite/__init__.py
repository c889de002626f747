"""perfsite: publish 项目支出绩效目标表 (project performance-target tables) as a static website."""

__version__ = "0.1.0"
