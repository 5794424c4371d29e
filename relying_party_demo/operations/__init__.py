"""The service's operations, each taking a :class:`~relying_party_demo.guard.Caller` and returning
the JSON the API answers with. The API exposes them over HTTP; the pages call the same functions
with the browser login's access token and render the same data, so both obey one policy.
"""
