"""Demo data: the story of the two press releases, from 2023/24 to the current financial year.

`story` holds the data as plain structures, `figures` derives the per-quarter numbers from the quarter,
`builder` writes it all through the services, and `services` holds the few writes the apps do not offer yet.
"""
