// A Kotlin service's first use of commshub-ota from Maven Central's shape of dependency: one
// declaration, nothing on the library path. It registers a variant, refuses a supplier's
// command by type, and reads the answer back.
package commshub.ota.examples.consumer

import commshub.ota.Actor
import commshub.ota.CommsHubOtaException
import commshub.ota.Engine
import commshub.ota.model.*
import java.time.Instant

fun main() {
    Engine().use { engine ->
        val at = Instant.parse("2026-01-05T09:00:00Z")
        engine.execute(Actor.dcc(), at, Command.RegisterVariant(RegisterVariant(Variant("CH-N-DB", "Acme", "CH2", "B", HanBand.DUAL_BAND, Region.NORTH))))
        val refused = try {
            engine.execute(Actor.customer("SUPPLIER-01"), at, Command.GrantPilotOa(GrantPilotOa("C1")))
            null
        } catch (e: CommsHubOtaException.NotPermitted) {
            e
        }
        val variants = (engine.query(Actor.dcc(), Query.Variants) as Answer.Variants).v1
        println("kotlin consumer: ${variants.map { it.id }}, ${refused?.actor} refused (${refused?.kind})")
        check(refused != null && variants.single().id == "CH-N-DB") { "unexpected answers" }
    }
}
