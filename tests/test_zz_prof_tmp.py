import cProfile, pstats
from tests.test_audit_commits import durham_family, signed_in  # noqa


def test_prof(app, people, signed_in):
    with app.app_context():
        large = durham_family(people, evidence=300)
    signed_in.lead.get(large.url)
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(10):
        signed_in.lead.get(large.url)
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
