"""The data engine: reading a provider's collections once and sharing them with every check.

crawl     the run's crawl: every top-level collection read once, shared walks, verification paging
walk      one walk of a collection's pages: fetch, classify the answer, accept the records
seen      whether a page only repeats records already read (a set, or a Bloom filter for spilled walks)
sink      where the crawl's pages go: schema check, per-record checks, the redactor, the store
sweep     the per-record checks fed as pages arrive
store     the on-disk record store the cross-record checks query
ids       real ids for single-object and nested operations
relations what each nested operation must return, from top-level data
guidref   GUIDRefs: the references one record makes to another
datamodel facts about records derived from the spec's JSON Schemas
"""
