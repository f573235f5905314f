// The same flows as bindings/python/tests and bindings/kotlin/test, in Swift. They need a Swift
// toolchain (macOS or Linux), which this project's CI machines cannot install: see README.md.
//   cd bindings/swift && YINXIN_SHARED=../../../shared swift test

import CryptoKit
import Foundation
import XCTest
@testable import Yinxin

let shared = URL(fileURLWithPath: ProcessInfo.processInfo.environment["YINXIN_SHARED"] ?? "../../../shared")
let counterCheck = ["holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier"]
let statusUri = "https://status.example.gov.cn/lists/5"

/// A P-256 key as the Secure Enclave holds it (CryptoKit; `SecureEnclave.P256` on a device).
final class CryptoKitHolderKey: HolderKey, @unchecked Sendable {
    let key = P256.Signing.PrivateKey()
    var calls = 0
    func algorithm() -> String { "es256" }
    func publicKey() -> Data { key.publicKey.derRepresentation } // SPKI DER
    func sign(message: Data) throws -> Data {
        calls += 1
        return try key.signature(for: message).derRepresentation
    }
}

final class FlowsTests: XCTestCase {
    func business() throws -> String {
        try String(contentsOf: shared.appendingPathComponent("fixtures/business-license.json"), encoding: .utf8)
    }

    func verifier(_ authority: Authority, _ entries: [StatusEntry]) throws -> Verifier {
        let v = try Verifier(config: VerifierConfig(trustAnchorsPem: authority.rootCertificatePem(), windowSeconds: 300, acceptUnknownStatus: false, gmOnly: false))
        try v.addStatusList(token: authority.issuer().signStatusList(uri: statusUri, size: 1024, entries: entries, ttlSeconds: 3600, validHours: 24))
        return v
    }

    func testIssuePresentVerifyOnceRevoke() throws {
        let authority = try Authority.generate(algorithmName: "es256", name: "成都市市场监督管理局", code: "11510000MB0123456W", validDays: 365)
        let wallet = try Wallet.withSoftwareKey(algorithm: "es256")
        let issued = try authority.issuer().issue(licenseJson: business(), holderPublicKey: wallet.holderPublicKey(), statusUri: statusUri, statusIndex: 3, atUnix: nil)
        _ = try wallet.addLicense(credential: issued.credential)
        let qr = try wallet.present(identifier: issued.identifier, elements: counterCheck, atUnix: nil)
        XCTAssertLessThanOrEqual(qr.count, 700)
        let counter = try verifier(authority, [])
        let first = counter.verifyQr(text: qr, atUnix: nil)
        XCTAssertTrue(first.valid, first.message ?? "")
        XCTAssertEqual(first.disclosed.first { $0.identifier == "legal_representative" }?.valueJson, "\"李四\"")
        XCTAssertEqual(counter.verifyQr(text: qr, atUnix: nil).code, "present.replayed")
        let again = try wallet.present(identifier: issued.identifier, elements: counterCheck, atUnix: nil)
        XCTAssertEqual(try verifier(authority, [StatusEntry(index: 3, status: 1)]).verifyQr(text: again, atUnix: nil).code, "license.revoked")
        var tampered = Array(qr)
        tampered[40] = tampered[40] == "A" ? "B" : "A"
        XCTAssertFalse(try verifier(authority, []).verifyQr(text: String(tampered), atUnix: nil).valid)
    }

    func testHolderKeyInSwift() throws {
        let authority = try Authority.generate(algorithmName: "es256", name: "成都市市场监督管理局", code: "11510000MB0123456W", validDays: 365)
        let key = CryptoKitHolderKey()
        let wallet = try Wallet.withHolderKey(key: key)
        let issued = try authority.issuer().issue(licenseJson: business(), holderPublicKey: wallet.holderPublicKey(), statusUri: statusUri, statusIndex: 4, atUnix: nil)
        _ = try wallet.addLicense(credential: issued.credential)
        let verdict = try verifier(authority, []).verifyQr(text: wallet.present(identifier: issued.identifier, elements: counterCheck, atUnix: nil), atUnix: nil)
        XCTAssertTrue(verdict.valid, verdict.message ?? "")
        XCTAssertEqual(key.calls, 1)
    }

    func testErrorsCarryCodes() throws {
        XCTAssertThrowsError(try Wallet.withSoftwareKey(algorithm: "rsa")) { error in
            guard case let YinxinError.Config(code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, "crypto.key_unsupported_algorithm")
        }
    }

    func testSealsAndOfd() throws {
        let seal = try inspectSeal(bytes: Data(contentsOf: shared.appendingPathComponent("vectors/ses/UserV4.esl")))
        XCTAssertEqual(seal.version, 4)
        XCTAssertTrue(seal.makerSignature)
        let v1 = try verifySeal(seal: Data(contentsOf: shared.appendingPathComponent("vectors/ses/UserV1.esl")), policy: SealPolicy(), atUnix: 1_600_000_000)
        XCTAssertTrue(v1.valid)
        let ofd = try verifyOfd(ofd: Data(contentsOf: shared.appendingPathComponent("vectors/ofd/1.ofd")), policy: SealPolicy())
        XCTAssertEqual(ofd.count, 1)
        XCTAssertTrue(ofd[0].valid)
        XCTAssertEqual(ofd[0].kind, "ses_v4")
    }

    /// The encrypted wallet (issue 19): a keystore-protected storage key, the PIN and its
    /// lock-out, a counter's request with consent, an agent's delegation.
    func testWalletStoreRequestAndAgent() throws {
        let pin = "246810"
        let authority = try Authority.generate(algorithmName: "es256", name: "成都市市场监督管理局", code: "11510000MB0123456W", validDays: 365)
        let platform = try Authority.generate(algorithmName: "es256", name: "四川省政务服务平台", code: "11510000MB0123456W", validDays: 365)
        let holder = try Wallet.withSoftwareKey(algorithm: "es256")
        let issued = try authority.issuer().issue(licenseJson: business(), holderPublicKey: holder.holderPublicKey(), statusUri: nil, statusIndex: nil, atUnix: nil)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        let keystore = KeychainStorageKey()
        let store = try WalletStore.create(dir: dir.appendingPathComponent("w").path, pinText: pin, options: WalletStoreOptions(gm: false, verifierAnchorsPem: platform.rootCertificatePem(), sensitive: nil), storageKey: keystore)
        let w = try store.unlock(pinText: pin, atUnix: nil)
        _ = try w.add(credential: issued.credential, holderKeyPkcs8: holder.softwareKeyPkcs8())
        XCTAssertEqual(try w.licenses().licenses.first?.holderName, "成都天府示例科技有限公司")
        let v = try Verifier(config: VerifierConfig(trustAnchorsPem: authority.rootCertificatePem(), windowSeconds: 300, acceptUnknownStatus: true, gmOnly: false))
        try v.addIssuerCertificate(certificate: Data(authority.issuerCertificatePem().utf8))
        XCTAssertTrue(v.verifyQr(text: try w.present(pinText: pin, identifier: issued.identifier, elements: ["holder_name"], atUnix: nil), atUnix: nil).valid)

        let now = Int64(Date().timeIntervalSince1970)
        for _ in 0..<4 {
            XCTAssertThrowsError(try store.unlock(pinText: "000000", atUnix: now))
        }
        XCTAssertThrowsError(try store.unlock(pinText: "000000", atUnix: now)) { error in
            guard case YinxinError.Invalid(let code, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(code, "wallet.locked")
        }
        XCTAssertEqual(try store.lockedUntil(atUnix: now), now + 60)
        _ = try store.unlock(pinText: pin, atUnix: now + 61)

        let counterKey = P256.Signing.PrivateKey()
        let chain = try platform.issueVerifierCertificate(subjectPublicKey: counterKey.publicKey.derRepresentation, name: "成都市政务服务中心", code: "91510100MA61ABCDE3", mayRequest: ["holder_name", "legal_representative"], validDays: 30)
        let request = try makeRequest(verifierKeyPkcs8: counterKey.derRepresentation, verifierChainPem: chain, elements: ["holder_name", "legal_representative"], purpose: "办理变更登记", atUnix: nil)
        let info = try w.readRequest(requestText: request, atUnix: nil)
        XCTAssertEqual(info.verifierName, "成都市政务服务中心")
        let answer = try w.presentForRequest(pinText: pin, identifier: issued.identifier, requestText: request, atUnix: nil)
        XCTAssertEqual(v.verifyQr(text: answer, atUnix: nil).code, "present.request_bound")
        XCTAssertTrue(v.verifyQrForRequest(text: answer, requestText: request, verifierPublicKey: counterKey.publicKey.derRepresentation, atUnix: nil).requestBound)

        let agentKey = P256.Signing.PrivateKey()
        let delegation = try w.delegate(pinText: pin, identifier: issued.identifier, agentPublicKey: agentKey.publicKey.derRepresentation, agentName: "王五", agentId: "510104199003071237", elements: ["holder_name"], days: 30, atUnix: nil)
        let agent = try WalletStore.create(dir: dir.appendingPathComponent("agent").path, pinText: "135790", options: WalletStoreOptions(gm: false, verifierAnchorsPem: "", sensitive: nil), storageKey: nil).unlock(pinText: "135790", atUnix: nil)
        _ = try agent.addDelegated(credential: issued.credential, agentKeyPkcs8: agentKey.derRepresentation, delegation: delegation)
        let byAgent = v.verifyQr(text: try agent.present(pinText: "135790", identifier: issued.identifier, elements: ["holder_name"], atUnix: nil), atUnix: nil)
        XCTAssertEqual(byAgent.agentName, "王五")
        XCTAssertEqual(byAgent.onBehalfOf, "成都天府示例科技有限公司")
    }
}

/// The storage key as the Keychain would keep it: AES-GCM under a key that never leaves this
/// object (on a device, a Secure Enclave key wrapping it).
final class KeychainStorageKey: StorageKey, @unchecked Sendable {
    let key = SymmetricKey(size: .bits256)
    func wrap(key data: Data) throws -> Data {
        try AES.GCM.seal(data, using: key).combined ?? Data()
    }
    func unwrap(wrapped: Data) throws -> Data {
        try AES.GCM.open(AES.GCM.SealedBox(combined: wrapped), using: key)
    }
}
