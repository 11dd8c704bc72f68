// The catalogue the Kotlin examples share: one north dual-band variant and its firmware, each
// version taken through every readiness gate by the party that records it.
package commshub.ota.examples

import commshub.ota.*
import commshub.ota.model.*
import java.time.Instant

/** Registers `variant` (north, dual band) and `versions` (version to the versions it upgrades
 * from), each through every gate: the CSP's approval, the DCC's rest (customer testing closed on
 * the DCC's reason: no customer has hubs of the variant yet). */
fun readyCatalogue(engine: Engine, at: Instant, variant: String, versions: List<Pair<String, List<String>>>) {
    val (dcc, csp) = "dcc" to "csp:north"
    engine.execute(dcc, at, Command.RegisterVariant(RegisterVariant(Variant(variant, "Meridian", "CH-DB", "B2", HanBand.DUAL_BAND, Region.NORTH))))
    for ((version, from) in versions) {
        engine.execute(csp, at, Command.RegisterFirmware(RegisterFirmware(variant, version, from)))
        for (gate in Gate.values()) {
            val actor = when (gate) {
                Gate.CSP_APPROVED -> csp
                else -> dcc
            }
            // Before the estate no customer has hubs of the variant to test on: the DCC closes
            // customer testing with its reason (with hubs, customers give record_test_feedback).
            val note = if (gate == Gate.CUSTOMER_TESTED) "closed on the DCC's reference rigs" else null
            engine.execute(actor, at, Command.RecordGate(RecordGate(variant, version, gate, note)))
        }
    }
}
