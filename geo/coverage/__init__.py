"""5G coverage: a planning approximation of where sites reach, against the plan's targets.

Not a radio-propagation model: each site covers a disc whose radius depends on its type and
setting (urban or rural). Good enough to show planners where the gaps are, by county, and
said so wherever the results appear.
"""
