"""Demo data (演示数据): a realistic sales company to explore Loudou with."""
