//! `--shard K/N`: which bridges one of N exporters over one shared bridges file keeps, with no
//! coordination between them. Rendezvous (highest-random-weight) hashing on the bridge's name:
//! each shard j in 0..N weighs the name as the first 8 bytes, big-endian, of
//! SHA-256("{j}/{name}"), and the heaviest shard (the lowest j on a tie) keeps the bridge. So
//! a bridge's shard depends only on its name and N, and going from N to N+1 exporters moves
//! about 1/(N+1) of the bridges, all of them to the new one. In Python:
//! `max(range(n), key=lambda j: (int.from_bytes(sha256(f"{j}/{name}".encode()).digest()[:8], "big"), -j))`.

use ring::digest::{digest, SHA256};

/// One shard of N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

/// Most shards: far more exporters than any fleet needs, and a bound on the hashing per bridge.
pub const MAX_SHARDS: u32 = 1024;

impl Shard {
    /// `K/N`, K from 0.
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s
            .split_once('/')
            .ok_or_else(|| "expected K/N, such as 0/3 (K counts from 0)".to_owned())?;
        let number = |v: &str| {
            v.trim()
                .parse::<u32>()
                .map_err(|_| format!("'{v}' is not a whole number"))
        };
        let (index, count) = (number(k)?, number(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!("N must be from 1 to {MAX_SHARDS}"));
        }
        if index >= count {
            return Err(format!("K must be below N (shards are 0 to {})", count - 1));
        }
        Ok(Shard { index, count })
    }

    /// Does this shard keep the bridge called `name`?
    pub fn keeps(&self, name: &str) -> bool {
        shard_of(name, self.count) == self.index
    }
}

fn weight(shard: u32, name: &str) -> u64 {
    let d = digest(&SHA256, format!("{shard}/{name}").as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&d.as_ref()[..8]);
    u64::from_be_bytes(first)
}

/// The shard of `count` that keeps the bridge called `name`.
pub fn shard_of(name: &str, count: u32) -> u32 {
    let mut best = (0, weight(0, name));
    for j in 1..count {
        let w = weight(j, name);
        if w > best.1 {
            best = (j, w);
        }
    }
    best.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_names_what_is_wrong() {
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert!(Shard::parse("3/3").unwrap_err().contains("below N"));
        assert!(Shard::parse("0/0").unwrap_err().contains("from 1"));
        assert!(Shard::parse("a/2").unwrap_err().contains("'a'"));
        assert!(Shard::parse("2").unwrap_err().contains("K/N"));
    }

    /// The documented hash, computed by hand for two names (Python's hashlib gives the same).
    #[test]
    fn the_hash_is_the_documented_one() {
        let d = digest(&SHA256, b"0/build-1");
        let w0 = u64::from_be_bytes(d.as_ref()[..8].try_into().unwrap());
        assert_eq!(weight(0, "build-1"), w0);
        assert_eq!(shard_of("anything", 1), 0);
    }

    #[test]
    fn shards_split_evenly_and_a_new_one_moves_about_a_share() {
        let names: Vec<String> = (0..10_000).map(|i| format!("bridge-{i}")).collect();
        let mut counts = [0usize; 4];
        for n in &names {
            counts[shard_of(n, 4) as usize] += 1;
        }
        for c in counts {
            assert!((2_300..=2_700).contains(&c), "{counts:?}");
        }
        let moved: Vec<&String> = names
            .iter()
            .filter(|n| shard_of(n, 4) != shard_of(n, 5))
            .collect();
        assert!((1_800..=2_200).contains(&moved.len()), "{} moved", moved.len());
        assert!(moved.iter().all(|n| shard_of(n, 5) == 4), "only to the new shard");
        let every = (0..4).map(|k| Shard { index: k, count: 4 });
        for n in names.iter().take(100) {
            assert_eq!(
                every.clone().filter(|s| s.keeps(n)).count(),
                1,
                "exactly one keeps {n}"
            );
        }
    }
}
