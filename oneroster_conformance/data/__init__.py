"""The data engine: reading a provider's collections once and sharing them with every check.

Walking pages (crawl), the per-record checks fed as pages arrive (sweep), the on-disk record store
(store), what nested operations must return (relations) and facts about records (datamodel).
"""
