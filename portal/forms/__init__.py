"""Form pieces every feature shares: GOV.UK choice and date fields (fields.py, dates.py) and
the small builders of text, reason and submit fields (common.py). Forms themselves derive
from portal.boundaries.forms.PortalForm and live in their feature's forms.py."""
