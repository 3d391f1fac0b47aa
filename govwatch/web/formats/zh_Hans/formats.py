# Numbers in the Chinese interface are grouped by thousands with a comma (8,288; 83,662), as the
# offices' statistical tables write them and as the figures formatted in Python already are. Django's
# own zh_Hans formats leave the separator empty, so `intcomma` printed 83662 beside 8,288. Every
# other format falls through to Django's zh_Hans module.
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
