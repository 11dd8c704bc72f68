// A back-office service applying commands through the Kotlin binding: it registers the
// catalogue, bulk-loads an estate in one call, then applies a day's queue of campaign commands
// (typed calls and JSON messages alike), logging each as accepted or refused.
package commshub.ota.examples

import commshub.ota.*
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

private val T0: Instant = Instant.parse("2026-09-01T09:00:00Z")
private fun day(d: Long): Instant = T0.plus(Duration.ofDays(d))

fun main() {
    Engine().use { engine ->
        val dcc = "dcc"
        val csp = "csp:north"
        val variant = "MERIDIAN-DB-NORTH"
        engine.registerVariant(dcc, T0, Variant(variant, "Meridian", "CH-DB", "B2", HanBand.DUAL_BAND, Region.NORTH))
        for ((version, from) in listOf("1.1" to emptyList(), "1.2" to listOf("1.1"), "2.0" to listOf("1.2"))) {
            engine.registerFirmware(csp, T0, variant, version, from)
            for (gate in Gate.values()) {
                val actor = when (gate) {
                    Gate.CSP_APPROVED -> csp
                    Gate.CUSTOMER_TESTED -> "customer:SUPPLIER-01"
                    else -> dcc
                }
                engine.recordGate(actor, T0, variant, version, gate, if (gate == Gate.CUSTOMER_TESTED) "fine on test rigs" else null)
            }
        }

        val suppliers = (1..15).map { "SUPPLIER-%02d".format(it) }
        val hubs = (0 until 20_000).map { i ->
            val supplier = suppliers[i % suppliers.size]
            val gas = if (i % 8 == 0) suppliers[(i + 3) % suppliers.size] else supplier
            HubRow(
                id = "%016X".format(0x0024B8L shl 40 or i.toLong()),
                variant = variant,
                firmware = if (i % 3 == 0) "1.1" else "1.2",
                smiStatus = SmiStatus.COMMISSIONED,
                installedOn = "2024-03-01",
                commissionedOn = "2024-03-02",
                devices = listOf(HanDevice(HanDeviceKind.ESME, "EM-A1", "3.1"), HanDevice(HanDeviceKind.GSME, "GM-K1", "5.0")),
                importSupplier = supplier,
                gasSupplier = gas,
                importFlags = ConsumerFlags(vulnerable = i % 40 == 0, highRisk = false, superFriendly = i % 50 == 0),
                gasFlags = ConsumerFlags(vulnerable = false, highRisk = false, superFriendly = false),
            )
        }
        val started = System.nanoTime()
        engine.loadEstate(dcc, day(1), hubs)
        println("Loaded ${engine.hubCount()} hubs in one call (${(System.nanoTime() - started) / 1_000_000} ms)")

        // The day's queue: typed calls and JSON messages from other services, in order.
        val queue: List<Pair<String, () -> List<Event>>> = listOf(
            "create campaign" to { engine.createCampaign(dcc, day(2), "2026-Q4-N-2.0", variant, "2.0", day(45), null) },
            "supplier grants OA" to { engine.grantPilotOa("customer:SUPPLIER-02", day(3), "2026-Q4-N-2.0") },
            "pilot OA (JSON)" to { engine.executeJson(dcc, day(3), """{"type":"grant_pilot_oa","campaign":"2026-Q4-N-2.0"}""") },
            "pilot OA a second time" to { engine.grantPilotOa(dcc, day(4), "2026-Q4-N-2.0") },
            "SUPPLIER-02 whole estate" to { engine.approveWholeEstate("customer:SUPPLIER-02", day(5), "2026-Q4-N-2.0") },
            "CSP outcomes" to {
                val offered = engine.upgradeList("csp:north", Region.NORTH, day(6), 0, 3).entries
                engine.reportOutcomes("csp:north", day(6), "2026-Q4-N-2.0", offered.flatMap { e ->
                    listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack(e.nextVersion)).map { OutcomeReport(e.hub, it) }
                })
            },
            "outcome out of order" to {
                val first = engine.upgradeList("csp:north", Region.NORTH, day(6), 0, 1).entries.first()
                engine.reportOutcomes("csp:north", day(6), "2026-Q4-N-2.0", listOf(OutcomeReport(first.hub, Outcome.Activated)))
            },
            "extend SUPPLIER-07" to { engine.extendCutoff(dcc, day(10), "2026-Q4-N-2.0", "SUPPLIER-07", day(60)) },
            "malformed message" to { engine.executeJson(dcc, day(10), """{"type":"grant_pilot_oa"}""") },
            "mass rollout OA" to { engine.grantMassRolloutOa(dcc, day(30), "2026-Q4-N-2.0", null) },
        )
        for ((what, command) in queue) {
            try {
                val events = command()
                println("accepted  %-22s -> %s".format(what, events.joinToString { (it.seq?.let { s -> "#$s " } ?: "") + it.eventType }))
            } catch (e: CommsHubOtaException) {
                println("refused   %-22s -> %s: %s".format(what, e::class.simpleName, e.message))
            }
        }

        val status = engine.pilotStatus("csp:north", "2026-Q4-N-2.0")
        println("Pilot status for the CSP: ${status.total.succeeded} succeeded over ${status.rows.size} unnamed supplier row(s)")
        for (n in engine.notifications("customer:SUPPLIER-02", 100).notifications) {
            println("SUPPLIER-02 notice #${n.id}: ${n.kind::class.simpleName} ${n.json}")
        }
        val view = engine.campaign("customer:SUPPLIER-07", "2026-Q4-N-2.0")
        println("SUPPLIER-07 sees ${view.id} in ${view.phase}, its cut-off ${view.cutoffs.single().until}")
        val log = Files.createTempFile("back-office", ".jsonl")
        engine.writeLog(log.toString())
        Engine.replayLog(log.toString()).use { replayed ->
            check(replayed.sameStateAs(engine)) { "replay differs" }
            println("Event log ${log.fileName}: ${engine.lastSeq()} events, replayed to the same state")
        }
        Files.deleteIfExists(log)
    }
}
