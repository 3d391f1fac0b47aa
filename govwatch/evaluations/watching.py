"""The kinds of this area's deadlines that e-supervision watches (govwatch.supervision.watches):
the step a unit owes on a negative review, and a unit's reply to a recommendation or reminder
letter. Registered by EvaluationsConfig.ready()."""

NEGATIVE_REVIEW = "negative_review"
LETTER_REPLY = "letter_reply"
