// The real flows through the Kotlin bindings, run on the JVM with JNA (bindings/kotlin/run-tests.sh):
// issue, present, verify once, revoke, tamper, a HolderKey implemented in Kotlin over
// java.security (as an app would over Android Keystore), seals and OFD files.

import cn.yinxin.*
import java.io.File
import java.security.KeyPairGenerator
import java.security.Signature
import java.security.spec.ECGenParameterSpec

val shared = File(System.getenv("YINXIN_SHARED") ?: "../shared")
val business = File(shared, "fixtures/business-license.json").readText()
val counterCheck = listOf("holder_name", "holder_code", "legal_representative", "valid_until", "license_identifier")
const val STATUS_URI = "https://status.example.gov.cn/lists/9"

var checks = 0
fun check(condition: Boolean, what: String) {
    if (!condition) throw AssertionError("FAILED: $what")
    checks++
}

inline fun <reified E : YinxinException> expect(code: String, block: () -> Unit) {
    try {
        block()
        throw AssertionError("FAILED: expected $code")
    } catch (e: YinxinException) {
        check(e is E, "expected ${E::class.simpleName} for $code, got ${e::class.simpleName}")
        val actual = when (e) {
            is YinxinException.Invalid -> e.code
            is YinxinException.Unreadable -> e.code
            is YinxinException.Config -> e.code
            is YinxinException.HolderKey -> e.code
        }
        check(actual == code, "expected $code, got $actual")
    }
}

/** A P-256 key held by the JVM's provider, as Android Keystore would hold it. */
class JcaHolderKey : HolderKey {
    private val pair = KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()
    var calls = 0
    override fun algorithm() = "es256"
    override fun publicKey(): ByteArray = pair.public.encoded // SPKI DER
    override fun sign(message: ByteArray): ByteArray {
        calls++
        return Signature.getInstance("SHA256withECDSA").run {
            initSign(pair.private)
            update(message)
            sign() // DER, as keystores answer
        }
    }
}

class CancelledKey : HolderKey by JcaHolderKey() {
    override fun sign(message: ByteArray): ByteArray = throw YinxinException.HolderKey("keystore.cancelled", "the user cancelled")
}

/** The app's own networking (OkHttp on Android), here serving one trust list from memory. */
class AppHttp(var body: ByteArray) : HttpClient {
    var down = false
    var requests = 0
    override fun get(url: String, etag: String?, accept: String, maxBytes: ULong): HttpResponse {
        requests++
        if (down) return HttpResponse(0u, null, null, ByteArray(0), "offline")
        val tag = "\"" + java.security.MessageDigest.getInstance("SHA-256").digest(body).take(8).joinToString("") { "%02x".format(it) } + "\""
        if (etag == tag) return HttpResponse(304u, tag, "max-age=60", ByteArray(0), null)
        return HttpResponse(200u, tag, "max-age=60", body, null)
    }
}

/** Trust lists: a Chongqing counter trusting the Sichuan list operator, not each authority. */
fun trustLists(cache: File) {
    val sc = Authority.generate("es256", "成都市市场监督管理局", "11510000MB0123456W", 365u)
    val op = Authority.generate("sm2", "四川省大数据中心", "11510000MB1C2D3E45", 365u)
    val wallet = Wallet.withSoftwareKey("es256")
    val issued = sc.issuer().issue(business, wallet.holderPublicKey(), null, null, null)
    fun list(issue: ULong) = op.signTrustList("四川省电子证照信任列表", "510000", issue, 7u,
        listOf(TrustListEntrySpec(sc.rootCertificatePem(), listOf("11100000000013338W001"))))
    val config = VerifierConfig("", 300u, false, false)
    fun lists(urls: List<String>) = TrustListConfig(op.rootCertificatePem(), urls, cache.path, 0u, null, false)
    // Handed over by the app.
    val counter = Verifier.withTrustLists(config, lists(emptyList()), null)
    check(counter.verifyLicense(issued.credential, null).code == "trust.untrusted_root", "untrusted before any list")
    check(counter.addTrustList(list(3uL), null).authorities == 1u, "list accepted")
    check(counter.verifyLicense(issued.credential, null).valid, "trusted through the list")
    expect<YinxinException.Invalid>("trust_list.rollback") { counter.addTrustList(list(2uL), null) }
    // Fetched with the app's HttpClient; offline from the cache.
    val http = AppHttp(list(4uL))
    val url = "https://trust.example.gov.cn/510000/list"
    val fetching = Verifier.withTrustLists(config, lists(listOf(url)), http)
    val first = fetching.refreshTrustLists(true)
    check(first.size == 1 && first[0].outcome == "updated" && first[0].issueId == 4uL, "fetched: ${first[0].outcome} ${first[0].message}")
    check(fetching.refreshTrustLists(true)[0].outcome == "current", "304 Not Modified")
    http.down = true
    val offline = Verifier.withTrustLists(config, lists(listOf(url)), http)
    val report = offline.refreshTrustLists(true)[0]
    check(report.outcome == "failed" && report.code == "fetch.network" && report.cached, "offline, the cached list in use")
    check(offline.verifyLicense(issued.credential, null).valid, "valid offline")
    counter.close(); fetching.close(); offline.close(); sc.close(); op.close(); wallet.close()
}

/** A platform keystore stand-in: AES-GCM under a key that never leaves this object (Android
 *  Keystore would hold it in secure hardware). */
class AesKeystore : StorageKey {
    private val key = javax.crypto.KeyGenerator.getInstance("AES").apply { init(256) }.generateKey()
    var fail = false
    override fun wrap(key: ByteArray): ByteArray {
        val iv = ByteArray(12).also { java.security.SecureRandom().nextBytes(it) }
        val c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding")
        c.init(javax.crypto.Cipher.ENCRYPT_MODE, this.key, javax.crypto.spec.GCMParameterSpec(128, iv))
        return iv + c.doFinal(key)
    }
    override fun unwrap(wrapped: ByteArray): ByteArray {
        if (fail) throw YinxinException.Config("keystore.user_not_authenticated", "biometric prompt cancelled")
        val c = javax.crypto.Cipher.getInstance("AES/GCM/NoPadding")
        c.init(javax.crypto.Cipher.DECRYPT_MODE, key, javax.crypto.spec.GCMParameterSpec(128, wrapped.copyOfRange(0, 12)))
        return c.doFinal(wrapped.copyOfRange(12, wrapped.size))
    }
}

fun p256(): java.security.KeyPair =
    KeyPairGenerator.getInstance("EC").apply { initialize(ECGenParameterSpec("secp256r1")) }.generateKeyPair()

/** The encrypted wallet (issue 19): keystore-protected storage key, PIN lock-out, a request with
 *  reader authentication and consent, an agent's delegation. */
fun walletStore(authority: Authority, dir: File) {
    val pin = "246810"
    val holder = Wallet.withSoftwareKey("es256")
    val issued = authority.issuer().issue(business, holder.holderPublicKey(), null, null, null)
    val platform = Authority.generate("es256", "四川省政务服务平台", "11510000MB0123456W", 365u)
    val keystore = AesKeystore()
    val store = WalletStore.create(File(dir, "w").path, pin, WalletStoreOptions(false, platform.rootCertificatePem(), null), keystore)
    val w = store.unlock(pin, null)
    check(w.add(issued.credential, holder.softwareKeyPkcs8()).identifier == issued.identifier, "store add")
    check(w.licenses().licenses.single().holderName == "成都天府示例科技有限公司", "store list")
    val v = Verifier(VerifierConfig(authority.rootCertificatePem(), 300u, true, false))
    v.addIssuerCertificate(authority.issuerCertificatePem().toByteArray())
    check(v.verifyQr(w.present(pin, issued.identifier, listOf("holder_name"), null), null).valid, "store present")
    expect<YinxinException.Config>("wallet.keystore") { WalletStore.open(File(dir, "w").path, null).unlock(pin, null) }
    keystore.fail = true
    expect<YinxinException.Config>("wallet.keystore") { store.unlock(pin, null) }
    keystore.fail = false
    check(store.failedAttempts() == 0u, "a keystore refusal is not a wrong PIN")

    val now = System.currentTimeMillis() / 1000
    repeat(4) { expect<YinxinException.Invalid>("wallet.pin_wrong") { store.unlock("000000", now) } }
    expect<YinxinException.Invalid>("wallet.locked") { store.unlock("000000", now) }
    check(store.lockedUntil(now) == now + 60, "locked for a minute")
    expect<YinxinException.Invalid>("wallet.locked") { store.unlock(pin, now + 30) }
    store.unlock(pin, now + 61)
    expect<YinxinException.Invalid>("wallet.pin_wrong") { w.present("111111", issued.identifier, listOf("holder_name"), null) }

    // A counter certified by the platform asks; the holder sees who, what, why, then consents.
    val counterKey = p256()
    val chain = platform.issueVerifierCertificate(counterKey.public.encoded, "成都市政务服务中心", "91510100MA61ABCDE3", listOf("holder_name", "legal_representative"), 30u)
    val request = makeRequest(counterKey.private.encoded, chain, listOf("holder_name", "legal_representative"), "办理变更登记", null)
    val info = w.readRequest(request, null)
    check(info.authenticated && info.verifierName == "成都市政务服务中心" && info.purpose == "办理变更登记", "request shown")
    val answer = w.presentForRequest(pin, issued.identifier, request, null)
    check(v.verifyQr(answer, null).code == "present.request_bound", "another verifier refuses the answer")
    val bound = v.verifyQrForRequest(answer, request, counterKey.public.encoded, null)
    check(bound.valid && bound.requestBound, "the counter accepts its answer: ${bound.message}")
    val greedy = makeRequest(counterKey.private.encoded, chain, listOf("business_scope"), "核验", null)
    expect<YinxinException.Invalid>("request.not_authorised") { w.readRequest(greedy, null) }
    check(w.history().any { it.verifierName == "成都市政务服务中心" && it.purpose == "办理变更登记" }, "consent logged")

    // The company's agent.
    val agentKey = p256()
    val delegation = w.delegate(pin, issued.identifier, agentKey.public.encoded, "王五", "510104199003071237", listOf("holder_name"), 30u, null)
    val agent = WalletStore.create(File(dir, "agent").path, "135790", WalletStoreOptions(false, "", null), null).unlock("135790", null)
    agent.addDelegated(issued.credential, agentKey.private.encoded, delegation)
    val byAgent = v.verifyQr(agent.present("135790", issued.identifier, listOf("holder_name"), null), null)
    check(byAgent.valid && byAgent.agentName == "王五" && byAgent.onBehalfOf == "成都天府示例科技有限公司", "agent verdict: ${byAgent.message}")
    expect<YinxinException.Invalid>("present.delegation_scope") { agent.present("135790", issued.identifier, listOf("business_scope"), null) }
}

fun verifier(authority: Authority, entries: List<StatusEntry>? = null): Verifier {
    val v = Verifier(VerifierConfig(authority.rootCertificatePem(), 300u, false, false))
    if (entries != null) v.addStatusList(authority.issuer().signStatusList(STATUS_URI, 1024uL, entries, 3600uL, 24u))
    return v
}

fun main() {
    val authority = Authority.generate("es256", "成都市市场监督管理局", "11510000MB0123456W", 365u)

    // Issue, store, present the counter_check set, verify once; the second scan is a replay.
    val wallet = Wallet.withSoftwareKey("es256")
    val issued = authority.issuer().issue(business, wallet.holderPublicKey(), STATUS_URI, 21uL, null)
    val summary = wallet.addLicense(issued.credential)
    check(summary.identifier == issued.identifier, "summary identifier")
    check(summary.disclosureSets.any { it.name == "counter_check" }, "counter_check set")
    val qr = wallet.present(issued.identifier, counterCheck, null)
    check(qr.startsWith("YX1:") && qr.length <= 700, "compact QR of ${qr.length} characters")
    val counter = verifier(authority, emptyList())
    val first = counter.verifyQr(qr, null)
    check(first.valid, "first scan valid: ${first.message}")
    check(first.status == "valid", "status checked: ${first.status}")
    check(first.disclosed.first { it.identifier == "legal_representative" }.valueJson == "\"李四\"", "disclosed value")
    check(first.disclosed.size == counterCheck.size, "only the chosen elements")
    check(counter.verifyQr(qr, null).code == "present.replayed", "second scan replayed")

    // Revoked and suspended through the signed status list; expired codes; tampered codes.
    val revoked = verifier(authority, listOf(StatusEntry(21uL, 1u))).verifyQr(wallet.present(issued.identifier, counterCheck, null), null)
    check(revoked.code == "license.revoked" && revoked.status == "revoked", "revoked")
    check(verifier(authority, listOf(StatusEntry(21uL, 2u))).verifyQr(wallet.present(issued.identifier, counterCheck, null), null).code == "license.suspended", "suspended")
    val old = wallet.present(issued.identifier, counterCheck, System.currentTimeMillis() / 1000 - 600)
    check(verifier(authority, emptyList()).verifyQr(old, null).code == "present.expired", "expired")
    val tampered = qr.substring(0, 40) + (if (qr[40] == 'A') 'B' else 'A') + qr.substring(41)
    val refused = verifier(authority, emptyList()).verifyQr(tampered, null)
    check(!refused.valid && refused.code != null, "tampered QR refused (${refused.code})")

    // A holder key implemented in Kotlin.
    val jca = JcaHolderKey()
    val phone = Wallet.withHolderKey(jca)
    val onPhone = authority.issuer().issue(business, phone.holderPublicKey(), STATUS_URI, 22uL, null)
    phone.addLicense(onPhone.credential)
    val shown = verifier(authority, emptyList()).verifyQr(phone.present(onPhone.identifier, counterCheck, null), null)
    check(shown.valid, "keystore-signed code valid: ${shown.message}")
    check(jca.calls == 1, "the Kotlin key signed once")
    expect<YinxinException.Config>("ffi.keystore_key") { phone.softwareKeyPkcs8() }
    val cancelled = Wallet.withHolderKey(CancelledKey())
    val c = authority.issuer().issue(business, cancelled.holderPublicKey(), STATUS_URI, 23uL, null)
    cancelled.addLicense(c.credential)
    expect<YinxinException.HolderKey>("crypto.signer_failed") { cancelled.present(c.identifier, counterCheck, null) }

    // QR images.
    val png = qrPng(qr, 4u)
    check(qrReadImage(png) == qr, "PNG round trip")

    // Errors carry their codes.
    expect<YinxinException.Config>("crypto.key_unsupported_algorithm") { Wallet.withSoftwareKey("rsa") }
    expect<YinxinException.Config>("ffi.unknown_license") { wallet.present("nothing", counterCheck, null) }

    // Seals and OFD files made by other implementations.
    val seal = inspectSeal(File(shared, "vectors/ses/UserV4.esl").readBytes())
    check(seal.version.toInt() == 4 && seal.makerSignature && seal.name == "OFD R&W 测试用印章", "seal v4")
    val v1 = verifySeal(File(shared, "vectors/ses/UserV1.esl").readBytes(), SealPolicy(), 1600000000L)
    check(v1.valid && v1.makerSignature && v1.makerTrusted == null, "v1 seal valid in 2020: ${v1.codes}")
    check(verifySeal(File(shared, "vectors/ses/UserV1.esl").readBytes(), SealPolicy(), null).code == "seal.expired", "v1 seal expired now")
    val sv = verifySealSignature(File(shared, "vectors/ses/SignedValueV4.dat").readBytes(), ByteArray(0), SealPolicy())
    check(sv.signatureValid && sv.sealValid && sv.code == "seal.data_hash_mismatch", "SignedValueV4 without its data")
    val ofd = verifyOfd(File(shared, "vectors/ofd/1.ofd").readBytes(), SealPolicy())
    check(ofd.size == 1 && ofd[0].valid && ofd[0].kind == "ses_v4", "1.ofd valid")
    check(!verifyOfd(File(shared, "vectors/ofd/n.ofd").readBytes(), SealPolicy())[0].valid, "n.ofd invalid")
    expect<YinxinException.Unreadable>("ofd.zip") { verifyOfd(ByteArray(3), SealPolicy()) }

    trustLists(kotlin.io.path.createTempDirectory("yinxin-trust").toFile())
    walletStore(authority, kotlin.io.path.createTempDirectory("yinxin-wallet").toFile())

    // Objects are AutoCloseable.
    wallet.close(); phone.close(); counter.close(); authority.close()
    println("kotlin bindings: $checks checks passed")
}
