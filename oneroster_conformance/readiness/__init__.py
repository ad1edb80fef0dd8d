"""Consumer readiness: will a given consumer (Claris, Incident IQ, Illuminate) work against this
provider with the district's own credentials, and if not, which permission is missing?

The consumers are data (fixtures/consumers/*.yaml: what each reads, the source of each claim, how
sure it is); the SIS side is data too (fixtures/consumers/aeries.yaml: which Aeries permission
gates each operation). The checks live in suites/readiness/ and report in the district admin's words.
"""
