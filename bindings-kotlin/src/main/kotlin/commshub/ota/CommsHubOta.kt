package commshub.ota

import commshub.ota.model.CampaignPolicy
import commshub.ota.model.Command
import commshub.ota.model.Verified

/**
 * The library's functions that need no engine, as static methods (Java: `CommsHubOta.verifyLog(path)`).
 * Each is one line over the generated `native...` function, its checked exception
 * rethrown as the unchecked [CommsHubOtaException].
 */
object CommsHubOta {
    /** The canonical text of an identifier of [kind] (`hub_id`, `customer_id`, `variant_id`, `firmware_version`, `campaign_id`, `region`, `actor`). */
    @JvmStatic fun parseId(kind: String, input: String): String = native { nativeParseId(kind, input) }

    /** The canonical text of a hub id given as its 64 bits, as the `hub` column of an Arrow answer holds it (`UInt8Vector.get(i)`). */
    @JvmStatic fun hubText(id: Long): String = nativeHubText(id)

    /** A hub id's 64 bits as the `hub` column of an Arrow answer holds them, from its text; `InvalidId` if malformed. */
    @JvmStatic fun hubNumber(text: String): Long = native { nativeHubNumber(text) }

    /** The event schema version this library writes. */
    @JvmStatic fun schemaVersion(): Long = nativeSchemaVersion()

    /** Reads and checks the log at [path]: `Chained` when its audit chain verifies whole, `Unchained` without one. */
    @JvmStatic fun verifyLog(path: String): Verified = native { nativeVerifyLog(path) }

    /** A command from its JSON form (`{"type":"grant_pilot_oa","campaign":"C1"}`). */
    @JvmStatic fun commandFromJson(json: String): Command = native { nativeCommandFromJson(json) }

    /** A campaign policy from its JSON form, refused outside the policy's documented ranges. */
    @JvmStatic fun campaignPolicyFromJson(json: String): CampaignPolicy = native { nativeCampaignPolicyFromJson(json) }

    /**
     * Raises [CommsHubOtaException.Panic] from a deliberate panic in the native library: to
     * check, in a service's own tests, that a defect of this library reaches its error handling
     * as an exception and leaves the JVM running.
     */
    @JvmStatic fun panicForTesting(message: String): Nothing {
        native { nativePanicForTesting(message) }
        error("the native call returned without its panic")
    }
}
