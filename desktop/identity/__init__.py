"""Real-name sending (实名收寄): the sender's identity checked against the document's rules,
sealed at once to the compliance office's identity key, and kept at the station only as the
sealed record, a keyed hash and a masked view. See docs/identity.md.

    types / checks   the ID documents and their check characters (GB 11643, GB 32100)
    record           the record and its field-named validation
    policy           who needs what record, retention, masking: resources/identity/policy.json
    keys             the identity key kind, the enrolment, the keyed hash
    sealing          the sealed record format
    book             entering records at the station; recognition; uses per label
    gate             the check before printing that every way in calls
    export           export for the compliance office, opening there, retention purge
    alerts/watchlist bill swiping by identity; the hashed, signed watch list
    reader/          the ID card reader protocol and its simulator
"""
