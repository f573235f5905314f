//! Agents (经办人) of a legal entity (issue 19): the entity's wallet delegates its business
//! license to an employee's device key; the agent's code names the agent and the entity; an
//! expired, foreign, out-of-scope or stripped delegation is refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::sync::Arc;

use ciborium::Value;
use time::{Duration, OffsetDateTime};
use yinxin::ErrorCode as _;
use yinxin::crypto::{Algorithm, Signer as _, SoftwareKey};
use yinxin::license::{IssueOptions, LicenseVerifier};
use yinxin::present::delegation::{DelegationTerms, sign_delegation};
use yinxin::present::{Disclosure, PresentationVerifier, ReplayGuard};
use yinxin::status::StatusListCache;
use yinxin::wallet::store::{CreateOptions, Pin, UnlockedWallet, WalletStore};
use yinxin_test_vectors::kit;

const AGENT_ID: &str = "510104199003071237";

fn pin() -> Pin {
    Pin::new("246810").unwrap()
}

fn wallet(dir: &std::path::Path) -> UnlockedWallet {
    WalletStore::create(dir, &pin(), CreateOptions::for_tests())
        .unwrap()
        .unlock(&pin(), OffsetDateTime::now_utc())
        .unwrap()
}

fn verifier(world: &kit::Issued) -> PresentationVerifier {
    let trust = world.trust();
    trust.add_issuer(world.authority.certificate().clone());
    PresentationVerifier::new(LicenseVerifier::new(trust), Arc::new(StatusListCache::new()))
        .with_replay_guard(Arc::new(ReplayGuard::new(Duration::minutes(10), 1000)))
}

fn elements(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn an_agent_shows_the_entity_license_within_the_delegation() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Sm2Sm3, "business-license.json", IssueOptions::default());
    let entity = wallet(&dir.path().join("entity"));
    entity.add(world.license.bytes.clone(), world.wallet.signer(), now).unwrap();
    let agent_key = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let delegation = entity
        .delegate(
            &pin(),
            &world.id(),
            agent_key.public_key(),
            "王五",
            AGENT_ID,
            &elements(&["holder_name", "legal_representative"]),
            now + Duration::days(7),
            now,
        )
        .unwrap();
    let (log, _) = entity.history().unwrap();
    assert_eq!(log[0].verifier.as_ref().unwrap().name, "王五 (agent)");

    let agent = wallet(&dir.path().join("agent"));
    // The agent's wallet takes the license only with its delegation and the named key.
    let stranger = SoftwareKey::generate(Algorithm::Es256).unwrap();
    assert_eq!(
        agent
            .add_delegated(world.license.bytes.clone(), &stranger, delegation.clone(), now)
            .unwrap_err()
            .code(),
        "wallet.holder_key_mismatch"
    );
    agent.add_delegated(world.license.bytes.clone(), &agent_key, delegation.clone(), now).unwrap();
    let code = agent.present(&pin(), &world.id(), Disclosure::Elements(&["holder_name"]), now).unwrap();
    let v = verifier(&world);
    let verified = v.verify(&code, now).unwrap();
    let who = verified.agent().unwrap();
    assert_eq!((who.name.as_str(), who.id.as_str()), ("王五", AGENT_ID));
    assert_eq!(who.entity, "成都天府示例科技有限公司");
    let mut shown: Vec<&String> = verified.license().elements().values().flat_map(|m| m.keys()).collect();
    shown.sort();
    assert_eq!(shown, ["holder_name", "license_identifier"], "the license is always named");

    // Beyond the delegation: the agent's wallet refuses.
    let e = agent.present(&pin(), &world.id(), Disclosure::Elements(&["business_scope"]), now).unwrap_err();
    assert_eq!(e.code(), "present.delegation_scope");

    // The wrapper stripped: the inner code is signed by a key that is not the license's.
    let Value::Array(parts) = ciborium::from_reader::<Value, _>(code.as_slice()).unwrap() else { panic!() };
    let inner = parts[2].as_bytes().unwrap().clone();
    assert_eq!(verifier(&world).verify(&inner, now).unwrap_err().code(), "present.holder_signature_invalid");

    // A foreign delegation (another entity's key, naming this license and agent) in the wrapper.
    let other = SoftwareKey::generate(Algorithm::Sm2Sm3).unwrap();
    let terms = DelegationTerms {
        license: world.id(),
        entity: "成都天府示例科技有限公司".into(),
        elements: elements(&["holder_name", "business_scope"]),
        agent_key: agent_key.public_key().clone(),
        agent_name: "王五".into(),
        agent_id: AGENT_ID.into(),
        from: now - Duration::minutes(1),
        until: now + Duration::days(1),
    };
    let foreign = sign_delegation(&other, &terms).unwrap();
    let forged = {
        let mut out = Vec::new();
        ciborium::into_writer(
            &Value::Array(vec![parts[0].clone(), Value::Bytes(foreign.clone()), parts[2].clone()]),
            &mut out,
        )
        .unwrap();
        out
    };
    assert_eq!(verifier(&world).verify(&forged, now).unwrap_err().code(), "present.delegation_invalid");
    assert_eq!(
        wallet(&dir.path().join("agent2"))
            .add_delegated(world.license.bytes.clone(), &agent_key, foreign, now)
            .unwrap_err()
            .code(),
        "present.delegation_invalid"
    );
    // An agent cannot delegate further.
    let e = agent
        .delegate(
            &pin(),
            &world.id(),
            stranger.public_key(),
            "赵六",
            AGENT_ID,
            &elements(&["holder_name"]),
            now + Duration::days(1),
            now,
        )
        .unwrap_err();
    assert_eq!(e.code(), "present.delegation_invalid");
}

#[test]
fn an_expired_delegation_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let now = OffsetDateTime::now_utc();
    let world = kit::issued(Algorithm::Ed25519, "business-license.json", IssueOptions::default());
    let entity = wallet(&dir.path().join("entity"));
    entity.add(world.license.bytes.clone(), world.wallet.signer(), now).unwrap();
    let agent_key = SoftwareKey::generate(Algorithm::Es256).unwrap();
    let until = now + Duration::minutes(1);
    let delegation = entity
        .delegate(
            &pin(),
            &world.id(),
            agent_key.public_key(),
            "王五",
            AGENT_ID,
            &elements(&["holder_name"]),
            until,
            now,
        )
        .unwrap();
    let agent = wallet(&dir.path().join("agent"));
    agent.add_delegated(world.license.bytes.clone(), &agent_key, delegation.clone(), now).unwrap();
    // Made while valid, checked after the delegation ended (the code itself still fresh).
    let code = agent
        .present(&pin(), &world.id(), Disclosure::Elements(&["holder_name"]), now + Duration::seconds(30))
        .unwrap();
    let e = verifier(&world).verify(&code, now + Duration::minutes(2)).unwrap_err();
    assert_eq!(e.code(), "present.delegation_expired");
    // After it ended the agent's wallet refuses to show, and a new wallet to import it.
    let later = now + Duration::minutes(2);
    assert_eq!(
        agent.present(&pin(), &world.id(), Disclosure::Elements(&["holder_name"]), later).unwrap_err().code(),
        "present.delegation_expired"
    );
    assert_eq!(
        wallet(&dir.path().join("agent2"))
            .add_delegated(world.license.bytes.clone(), &agent_key, delegation, later)
            .unwrap_err()
            .code(),
        "present.delegation_expired"
    );
}
