//! The real Livepeer protocol contracts, as compiled by livepeer/protocol and shipped in the npm
//! package `@livepeer/sdk@1.0.1-alpha.10` (Hardhat artifacts: ABI, creation bytecode, library
//! link references; devchain-real-contracts.md §1): loaded by path under
//! `node_modules/@livepeer/sdk/abis/contracts`, libraries linked at their byte offsets.

use super::ChainError;
use ethers_core::abi::{Abi, Token};
use ethers_core::types::{Address, Bytes};
use std::path::{Path, PathBuf};

/// A compiled contract.
#[derive(Clone, Debug)]
pub struct Artifact {
    /// Its name (`BondingManager`).
    pub name: String,
    /// Its ABI.
    pub abi: Abi,
    /// Creation bytecode as hex (without 0x), libraries linked or still placeholders.
    bytecode: String,
    /// Library name → byte offsets of its placeholders in the creation code.
    links: Vec<(String, Vec<usize>)>,
}

/// Where the package's artifacts are, below a folder holding `node_modules`.
pub fn artifacts_dir(root: &Path) -> PathBuf {
    root.join("node_modules/@livepeer/sdk/abis/contracts")
}

impl Artifact {
    /// Loads `<dir>/<path>.sol/<Name>.json` (`path` like `bonding/BondingManager`).
    pub fn load(dir: &Path, path: &str) -> Result<Artifact, ChainError> {
        let name = path.rsplit('/').next().unwrap_or(path).to_string();
        let file = dir.join(format!("{path}.sol/{name}.json"));
        let text = std::fs::read_to_string(&file)
            .map_err(|e| ChainError::Artifact(format!("{}: {e}", file.display())))?;
        let v: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| ChainError::Artifact(format!("{}: {e}", file.display())))?;
        let abi: Abi = serde_json::from_value(v["abi"].clone())
            .map_err(|e| ChainError::Artifact(format!("{name} ABI: {e}")))?;
        let bytecode = v["bytecode"]
            .as_str()
            .unwrap_or_default()
            .trim_start_matches("0x")
            .to_string();
        let mut links = Vec::new();
        if let Some(files) = v["linkReferences"].as_object() {
            for libs in files.values() {
                for (lib, refs) in libs.as_object().into_iter().flatten() {
                    let offsets = refs
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|r| r["start"].as_u64())
                        .map(|s| s as usize)
                        .collect();
                    links.push((lib.clone(), offsets));
                }
            }
        }
        Ok(Artifact {
            name,
            abi,
            bytecode,
            links,
        })
    }

    /// Links library `lib` deployed at `at` into the creation code.
    pub fn link(&mut self, lib: &str, at: Address) -> Result<(), ChainError> {
        let hex_addr = hex::encode(at.0);
        let offsets = self
            .links
            .iter()
            .find(|(l, _)| l == lib)
            .map(|(_, o)| o.clone())
            .ok_or_else(|| ChainError::Artifact(format!("{} links no {lib}", self.name)))?;
        for start in offsets {
            let range = 2 * start..2 * start + 40;
            if self.bytecode.get(range.clone()).is_none() {
                return Err(ChainError::Artifact(format!(
                    "{}: bad link offset",
                    self.name
                )));
            }
            self.bytecode.replace_range(range, &hex_addr);
        }
        Ok(())
    }

    /// The creation transaction's data: linked bytecode followed by the encoded constructor
    /// arguments.
    pub fn deploy_data(&self, args: &[Token]) -> Result<Bytes, ChainError> {
        if self.bytecode.contains("__$") {
            return Err(ChainError::Artifact(format!(
                "{} has unlinked libraries",
                self.name
            )));
        }
        let code = hex::decode(&self.bytecode)
            .map_err(|e| ChainError::Artifact(format!("{} bytecode: {e}", self.name)))?;
        let data = match self.abi.constructor() {
            Some(c) => c
                .encode_input(code, args)
                .map_err(|e| ChainError::Artifact(format!("{} constructor: {e}", self.name)))?,
            None => code,
        };
        Ok(data.into())
    }

    /// The call data of `function(args)`.
    pub fn call_data(&self, function: &str, args: &[Token]) -> Result<Bytes, ChainError> {
        let f = self
            .abi
            .function(function)
            .map_err(|e| ChainError::Artifact(format!("{}.{function}: {e}", self.name)))?;
        f.encode_input(args)
            .map(Into::into)
            .map_err(|e| ChainError::Artifact(format!("{}.{function}: {e}", self.name)))
    }

    /// Decodes what `function` returned.
    pub fn decode(&self, function: &str, out: &[u8]) -> Result<Vec<Token>, ChainError> {
        let f = self
            .abi
            .function(function)
            .map_err(|e| ChainError::Artifact(format!("{}.{function}: {e}", self.name)))?;
        f.decode_output(out)
            .map_err(|e| ChainError::Artifact(format!("{}.{function} output: {e}", self.name)))
    }
}
