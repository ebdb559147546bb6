"""load_plans keeps the parsed plans until a file of the folder changes, and sees every change."""

import os
import shutil

from portal.rules.plan import frameworks_dir, load_plans


def _touch_later(path, seconds=10):
    """A later modification time, as an edit seconds later would leave (file systems' times are coarse)."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))


def test_the_plans_are_kept_until_a_file_changes_and_every_change_is_seen(tmp_path):
    folder = tmp_path / "frameworks"
    shutil.copytree(frameworks_dir(), folder)
    first = load_plans(folder)
    assert sorted(first) == ["durham-2018", "hertfordshire-2022", "southwark-2018", "suffolk-2017", "sunderland-2015"]
    assert load_plans(folder) is first  # nothing changed: the same plans, not parsed again

    plan_file = folder / "durham-2018.yaml"
    plan_file.write_text(plan_file.read_text().replace("council: Durham", "council: Durham (edited)", 1))
    _touch_later(plan_file)
    edited = load_plans(folder)
    assert edited is not first
    assert "Durham (edited)" in edited["durham-2018"].council

    suffolk = (folder / "suffolk-2017.yaml").read_text()
    assert "id: suffolk-2017" in suffolk
    (folder / "suffolk-2027.yaml").write_text(suffolk.replace("id: suffolk-2017", "id: suffolk-2027", 1))  # a new plan
    assert "suffolk-2027" in load_plans(folder)
    (folder / "suffolk-2027.yaml").unlink()
    assert "suffolk-2027" not in load_plans(folder)

    tools = load_plans(folder)
    _touch_later(folder / "tools.yaml", seconds=20)  # the tools every plan reads
    assert load_plans(folder) is not tools

    kept = load_plans(folder)
    _touch_later(folder / "sources.yaml", seconds=30)  # not a plan: read on its own (rules/sources.py)
    (folder / "notes.txt").write_text("not yaml")
    assert load_plans(folder) is kept
