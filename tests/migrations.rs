//! Datadirs written by the previous release (`replay/datadir-r5/`: the O and the B of a paid
//! `demo -chain` stream and a synthetic O history, their logs and checkpoints as that build
//! left them, with its `livepeer replay` output) open under this build: `migrate -check` says
//! what the start will rebuild, `migrate` rebuilds it with progress lines, and every projection
//! whose version did not change — the balances first of all — has the digest the previous
//! release computed; `replay` then agrees with the fresh checkpoints.
#![allow(clippy::unwrap_used)]

use std::{collections::BTreeMap, path::Path, process::Command};

fn livepeer(datadir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(args)
        .args(["-datadir", datadir.to_str().unwrap()])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

/// `name → (version, digest)` from a `livepeer replay` table.
fn digests(replay: &str) -> BTreeMap<String, (u32, String)> {
    replay
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let v = f.get(1)?.parse().ok()?;
            f.get(2)
                .filter(|d| d.starts_with("0x"))
                .map(|d| (f[0].to_string(), (v, d.to_string())))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn the_previous_release_datadirs_open_with_the_same_balances() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("replay/datadir-r5");
    for name in ["orchestrator", "broadcaster", "synthetic"] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(name);
        copy_dir(&fixtures.join(name), &dir);
        let before = std::fs::read_to_string(fixtures.join(name).join("replay.txt")).unwrap();
        let old = digests(&before);
        assert!(old.contains_key("balances"), "{before}");

        let (ok, check) = livepeer(&dir, &["migrate", "-check"]);
        assert!(ok, "{check}");
        let current = {
            let (ok, text) = livepeer(&dir, &["replay"]);
            assert!(ok, "{name}: {text}");
            digests(&text)
        };
        // What -check announces, projection by projection.
        let mut migrating = 0;
        for (p, (v, _)) in &current {
            let row = check
                .lines()
                .find(|l| l.split_whitespace().next() == Some(p.as_str()))
                .unwrap_or_else(|| panic!("{p} not listed:\n{check}"));
            match old.get(p) {
                Some((ov, _)) if ov == v => assert!(row.contains("keep"), "{row}"),
                Some((ov, _)) => {
                    migrating += 1;
                    assert!(
                        row.contains(&format!("REBUILD from seq 0 (checkpoint v{ov}")),
                        "{row}"
                    )
                }
                None => {
                    migrating += 1;
                    assert!(
                        row.contains("BUILD from seq 0 (new in this build)"),
                        "{row}"
                    )
                }
            }
        }
        let (ok, migrated) = livepeer(&dir, &["migrate"]);
        assert!(ok, "{migrated}");
        if migrating > 0 {
            assert!(check.contains("to rebuild"), "{check}");
            assert!(
                migrated.contains("rebuilding projections:")
                    && migrated.contains("(100 %)")
                    && migrated.contains(&format!("migrated {migrating} projection(s)")),
                "{migrated}"
            );
        } else {
            assert!(migrated.contains("nothing to migrate"), "{migrated}");
        }
        // The same balances (and every other unchanged projection) as the previous release.
        for (p, (v, d)) in &old {
            if let Some((nv, nd)) = current.get(p) {
                if nv == v {
                    assert_eq!(
                        nd, d,
                        "{name}: projection {p} v{v} differs from the previous release"
                    );
                }
            }
        }
        assert_eq!(old["balances"].0, current["balances"].0);
        // After the migration every checkpoint is this build's and agrees with a replay.
        let (ok, text) = livepeer(&dir, &["migrate", "-check"]);
        assert!(ok && text.contains("nothing to migrate"), "{text}");
        let (ok, text) = livepeer(&dir, &["replay"]);
        assert!(ok && !text.contains("MISMATCH"), "{text}");
    }
}
