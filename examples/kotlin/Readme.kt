// The README's Kotlin snippet, compiled by Maven; ReadmeTest checks that it is the README's text
// and runs it.
package commshub.ota.examples.readme

import commshub.ota.*
import commshub.ota.model.*
import java.time.Instant

fun main() {
    Engine().use { engine ->                                      // AutoCloseable, thread-safe
        val at = Instant.parse("2026-01-05T09:00:00Z")
        val variant = Variant("CH-N-DB", "Acme", "CH2", "B", HanBand.DUAL_BAND, Region.NORTH)
        engine.execute("dcc", at, Command.RegisterVariant(RegisterVariant(variant)))
        try {
            engine.execute("customer:SUPPLIER-01", at, Command.GrantPilotOa(GrantPilotOa("C1")))
        } catch (e: CommsHubOtaException.NotPermitted) {         // sealed: one subclass per kind
            println("${e.actor} may not ${e.action}")
        }
        val variants = (engine.query("dcc", Query.Variants) as Answer.Variants).v1  // sealed Query -> Answer
        println(variants.map { it.id })                           // [CH-N-DB]
    }
}
