package commshub.ota

import commshub.ota.model.Region

/**
 * Who acts: the DCC, a region's CSP, or a DCC Customer (a supplier). Made by the static
 * factories (`Actor.dcc()`, `Actor.csp(Region.NORTH)`, `Actor.customer("SUP-A")`) or parsed
 * from its text; every [Engine] call takes it or that text. Its [code] is the canonical text
 * (`dcc`, `csp:north`, `customer:SUP-A`), as the event log and the JSON forms write it.
 */
class Actor private constructor(
    /** The canonical text. */
    val code: String,
) {
    companion object {
        /** The DCC. */
        @JvmStatic fun dcc(): Actor = Actor("dcc")

        /** The CSP of [region]. */
        @JvmStatic fun csp(region: Region): Actor = parse("csp:${region.name}")

        /** The DCC Customer [id] (`InvalidId` when it is no customer id). */
        @JvmStatic fun customer(id: String): Actor = parse("customer:$id")

        /** An actor from its text (`InvalidId` naming it when it is none), checked by the core. */
        @JvmStatic fun parse(text: String): Actor = Actor(native { nativeParseId("actor", text) })
    }

    override fun equals(other: Any?): Boolean = other is Actor && other.code == code
    override fun hashCode(): Int = code.hashCode()
    override fun toString(): String = code
}
