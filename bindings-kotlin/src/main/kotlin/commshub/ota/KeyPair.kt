package commshub.ota

/**
 * An Ed25519 key pair held in this JVM (docs/domain.md decision 21): a [Signer] for a party's own
 * service. A key kept in an HSM or a cloud KMS implements [Signer] over its client instead, and
 * never leaves it.
 */
class KeyPair private constructor(private val seed: ByteArray) : Signer {
    companion object {
        /** A new key from the operating system's random source. */
        @JvmStatic
        fun generate(): KeyPair = KeyPair(native { nativeKeyGenerateSeed() })

        /** The key whose 32-byte secret seed is [seed]. */
        @JvmStatic
        fun fromSeed(seed: ByteArray): KeyPair {
            native { nativeKeyPublic(seed) } // refused here (InvalidInput) when it is not 32 bytes
            return KeyPair(seed.copyOf())
        }

        /** The key in a PKCS#8 DER document. */
        @JvmStatic
        fun fromPkcs8Der(der: ByteArray): KeyPair = KeyPair(native { nativeKeySeedFromPkcs8Der(der) })

        /** The key in a PKCS#8 PEM document (`-----BEGIN PRIVATE KEY-----`). */
        @JvmStatic
        fun fromPkcs8Pem(pem: String): KeyPair = KeyPair(native { nativeKeySeedFromPkcs8Pem(pem) })
    }

    /** The key as a PKCS#8 DER document, to keep where keys are kept. */
    fun toPkcs8Der(): ByteArray = native { nativeKeyToPkcs8Der(seed) }

    /** The public key, 64 hex digits. */
    override fun publicKey(): String = native { nativeKeyPublic(seed) }

    /** The Ed25519 signature of [message]. */
    override fun sign(message: ByteArray): ByteArray = nativeKeySign(seed, message)

    override fun toString(): String = "KeyPair(${publicKey()})"
}
