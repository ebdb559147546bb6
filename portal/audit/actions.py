"""Audit actions in words, as an information-governance officer reads them.

The code records short codes ("evidence.return"); the log's pages, its CSV
exports and the action filter show these words ("Evidence returned"). One
mapping for every action the portal records: tests/test_audit_actions.py
collects each action named in the code and fails on any without words here.
A code not here (rows from an older version) is shown as it is.
"""

ACTION_WORDS = {
    # Signing in and out, and the account itself (portal/auth, portal/account)
    "sign-in": "Signed in",
    "sign-out": "Signed out",
    "sign-in failed: wrong password": "Sign-in failed: wrong password",
    "sign-in failed: wrong security code": "Sign-in failed: wrong security code",
    "sign-in refused: account locked": "Sign-in refused: account locked",
    "sign-in refused: locked during the check": "Sign-in refused: account locked during the check",
    "sign-in refused: account locked while the code was checked":
        "Sign-in refused: account locked while the code was checked",
    "sign-in refused: account deactivated": "Sign-in refused: account deactivated",
    "account locked after 10 failed sign-ins": "Account locked after 10 failed sign-ins",
    "two-factor set up": "Authenticator app set up",
    "two-factor recovery codes replaced": "Recovery codes replaced",
    "account.password-change": "Password changed",
    "account.password-change refused: wrong current password": "Password change refused: wrong current password",
    "account.email-preference": "E-mail preference changed",
    "password-reset.request": "Password reset link asked for",
    "password-reset.complete": "Password reset with a link",
    "password-reset.refused": "Password reset refused",
    # Access
    "access.refused": "Access refused: not allowed for this role",
    "family.access-refused": "Access to a family refused",
    "evidence.access-refused": "Access to evidence refused",
    "job.access-refused": "Access to a file refused",
    "claim.access-refused": "Access to a claim refused",
    # Admin (portal/admin)
    "user.create": "User created",
    "user.update": "User changed",
    "user.password-reset": "Password reset by an admin",
    "user.deactivate": "User deactivated",
    "user.reactivate": "User reactivated",
    "user.second-factor-reset": "Authenticator app reset by an admin",
    "user.unlock": "Account unlocked by an admin",
    "agency.create": "Agency created",
    "agency.update": "Agency changed",
    "plan.open": "Plan opened for new cases",
    "plan.close": "Plan closed to new cases",
    "notify.outbox-read": "Outbox read",
    # The audit log itself
    "audit.read": "Audit log read",
    "audit.export": "Audit log downloaded",
    # Families (portal/families)
    "family.list": "Family list read",
    "family.read": "Family record read",
    "family.create": "Family created",
    "family.engaged": "Engagement date recorded",
    "family.engaged.form": "Engagement date form opened",
    "family.handover": "Family handed over",
    "family.handover.form": "Handover form opened",
    "member.add": "Family member added",
    "member.add.form": "Add member form opened",
    "member.withdraw": "Family member withdrawn",
    "member.withdraw.form": "Withdraw member form opened",
    "problem.add": "Problem identified",
    "problem.add.form": "Add problem form opened",
    "problem.withdraw": "Problem withdrawn",
    "problem.withdraw.form": "Withdraw problem form opened",
    "essentials.record": "Essential records recorded",
    "essentials.record.form": "Essential records form opened",
    "plan-outcomes.set": "Plan outcomes chosen",
    "plan-outcomes.set.form": "Plan outcomes form opened",
    "team.attach": "Agency added to the team",
    "team.attach.form": "Add agency form opened",
    "team.detach": "Agency removed from the team",
    "team.detach.form": "Remove agency form opened",
    "case.close": "Case closed",
    "case.close.form": "Close case form opened",
    "case.reopen": "Case reopened",
    "case.reopen.form": "Reopen case form opened",
    # Evidence (portal/evidence, reviews in portal/families)
    "evidence.form": "Evidence form opened",
    "evidence.check": "Evidence checked against the plan",
    "evidence.read": "Evidence read",
    "evidence.list": "Evidence list read",
    "evidence.submit": "Evidence submitted",
    "evidence.correct": "Evidence corrected",
    "evidence.correct-refused": "Evidence correction refused",
    "evidence.accept": "Evidence accepted",
    "evidence.return": "Evidence returned",
    "evidence.review.list": "Evidence review list read",
    "evidence.review.form": "Evidence review opened",
    "evidence.review-refused": "Evidence review refused",
    # Closure summaries and files (portal/closure, portal/jobs)
    "closure.download": "Closure summary downloaded",
    "closure.verify": "Closure summary checked",
    "closure.verify-refused": "Closure summary check refused",
    "closure.pack": "Closure pack asked for",
    # What needs me (portal/todo) and the family record (portal/families/matches.py)
    "todo.read": "To-do list read",
    "family.match-warning": "Warned of a matching family",
    "closure.pack-built": "Closure pack built",
    "closure.pack-download": "Closure pack downloaded",
    # Evidence documents (portal/documents)
    "document.attach": "Document attached to evidence",
    "document.carry": "Document carried to a corrected version",
    "document.download": "Document downloaded",
    "document.virus-refused": "Document refused: a virus was found",
    "job.request": "File asked for",
    "job.download": "File downloaded",
    # Claims (portal/claims)
    "claim.list": "Claims list read",
    "claim.read": "Claim read",
    "claim.create": "Claim created",
    "claim.check": "Claim checked",
    "claim.approve": "Claim approved",
    "claim.submit": "Claim submitted",
    "claim.download": "Claim file downloaded",
    "claim.window.open": "Claim window opened",
    "claim.claimable.list": "Claimable families list read",
    "claim.sample.drawn": "Audit sample drawn",
    "claim.sample.redrawn": "Audit sample drawn again",
    "claim.sample.widened": "Audit sample widened",
    "claim.sample.redraw.form": "Redraw sample form opened",
    "claim.line.read": "Claim line read",
    "claim.line.add": "Family added to a claim",
    "claim.line.remove": "Family removed from a claim",
    "claim.line.remove.form": "Remove from claim form opened",
    "claim.line.decide": "Claim line decided",
    "claim.line.decision.form": "Claim line decision form opened",
    "claim.line.redecide": "Claim line decided again as of the claim date",
    "claim.line.claimed": "Family claimed for",
    "claim.line.withdraw": "Family withdrawn from a claim",
    "claim.line.withdraw.form": "Withdraw from claim form opened",
    "claim.spot-check.download": "Spot-check pack downloaded",
    "claim.query.read": "Claim query read",
    "claim.query.answer": "Claim query answered",
    # The demo data (portal/demo)
    "demo.load": "Demo data loaded",
}


def words(action: str) -> str:
    """'Evidence returned' for 'evidence.return'; an unknown code as it is."""
    return ACTION_WORDS.get(action, action)
