// A back-office service applying commands through the Kotlin binding: it opens its durable
// store (a SQLite file; a PostgreSQL URL works the same), registers the catalogue, bulk-loads an
// estate in one call, then applies a day's queue of campaign commands (typed commands and JSON
// messages alike), logging each as accepted or refused; each accepted command is on disk
// before it is answered. At the end it restarts from a snapshot and exports the audit chain.
package commshub.ota.examples

import commshub.ota.*
import commshub.ota.model.*
import java.nio.file.Files
import java.time.Duration
import java.time.Instant

private val T0: Instant = Instant.parse("2026-09-01T09:00:00Z")
private fun day(d: Long): Instant = T0.plus(Duration.ofDays(d))

fun main() {
    // The store lives in a temporary directory, removed at the end (a service names its own).
    val dir = Files.createTempDirectory("back-office")
    val store = dir.resolve("ota.db").toString()
    try {
        Engine.open(store, 10_000).use { engine ->
            val dcc = "dcc"
            val csp = "csp:north"
            val variant = "MERIDIAN-DB-NORTH"
            readyCatalogue(engine, T0, variant, listOf("1.1" to emptyList(), "1.2" to listOf("1.1"), "2.0" to listOf("1.2")))

            val suppliers = (1..15).map { "SUPPLIER-%02d".format(it) }
            val hubs = (0 until 20_000).map { i ->
                val supplier = suppliers[i % suppliers.size]
                val gas = if (i % 8 == 0) suppliers[(i + 3) % suppliers.size] else supplier
                HubInput(
                    id = "%016X".format(0x0024B8L shl 40 or i.toLong()),
                    variant = variant,
                    firmware = if (i % 3 == 0) "1.1" else "1.2",
                    smiStatus = SmiStatus.COMMISSIONED,
                    installedOn = "2024-03-01",
                    commissionedOn = "2024-03-02",
                    devices = HanDevices(esme = HanDevice("EM-A1", "3.1"), gsme = HanDevice("GM-K1", "5.0")),
                    importSupplier = supplier,
                    gasSupplier = gas,
                    importFlags = ConsumerFlags(vulnerable = i % 40 == 0, highRisk = false, superFriendly = i % 50 == 0),
                    gasFlags = ConsumerFlags(),
                )
            }
            val started = System.nanoTime()
            engine.loadEstate(dcc, day(1), hubs)
            println("Loaded ${engine.hubCount()} hubs in one call (${(System.nanoTime() - started) / 1_000_000} ms)")

            // The day's queue: typed commands and JSON messages from other services, in order.
            val campaign = "2026-Q4-N-2.0"
            val offered = { n: Long ->
                (engine.query(csp, Query.UpgradeList(Region.NORTH, day(6), 0L, n)) as Answer.UpgradePage).v1.entries
            }
            val queue: List<Pair<String, () -> List<Recorded>>> = listOf(
                "create campaign" to { engine.execute(dcc, day(2), Command.CreateCampaign(CreateCampaign(campaign, variant, "2.0", day(45)))) },
                "supplier grants OA" to { engine.execute("customer:SUPPLIER-02", day(3), Command.GrantPilotOa(GrantPilotOa(campaign))) },
                "pilot OA (JSON)" to { engine.executeJson(dcc, day(3), """{"type":"grant_pilot_oa","campaign":"$campaign"}""") },
                "pilot OA a second time" to { engine.execute(dcc, day(4), Command.GrantPilotOa(GrantPilotOa(campaign))) },
                "SUPPLIER-02 whole estate" to { engine.execute("customer:SUPPLIER-02", day(5), Command.ApproveWholeEstate(ApproveWholeEstate(campaign))) },
                "CSP outcomes" to {
                    val rows = offered(3L).flatMap { e ->
                        listOf(Outcome.Dispatched, Outcome.Delivered, Outcome.Activated, Outcome.ReadBack(e.nextVersion)).map { OutcomeReport(e.hub, it) }
                    }
                    engine.execute(csp, day(6), Command.ReportOutcomes(ReportOutcomes(campaign, rows)))
                },
                "outcome out of order" to {
                    val first = offered(1L).first()
                    engine.execute(csp, day(6), Command.ReportOutcomes(ReportOutcomes(campaign, listOf(OutcomeReport(first.hub, Outcome.Activated)))))
                },
                "extend SUPPLIER-07" to { engine.execute(dcc, day(10), Command.ExtendCutoff(ExtendCutoff(campaign, "SUPPLIER-07", day(60)))) },
                "malformed message" to { engine.executeJson(dcc, day(10), """{"type":"grant_pilot_oa"}""") },
                "mass rollout OA" to { engine.execute(dcc, day(30), Command.GrantMassRolloutOa(GrantMassRolloutOa(campaign))) },
            )
            for ((what, command) in queue) {
                try {
                    val events = command()
                    println("accepted  %-22s -> %s".format(what, events.joinToString { (it.seq?.let { s -> "#$s " } ?: "") + it.eventType }))
                } catch (e: CommsHubOtaException) {
                    println("refused   %-22s -> %s: %s".format(what, e::class.simpleName, e.message))
                }
            }

            val status = (engine.query(csp, Query.PilotStatus(campaign)) as Answer.PilotStatus).v1
            println("Pilot status for the CSP: ${status.total.succeeded} succeeded over ${status.rows.size} unnamed supplier row(s)")
            val inbox = engine.query("customer:SUPPLIER-02", Query.Notifications(100L)) as Answer.Notifications
            for (n in inbox.v1.notifications) {
                println("SUPPLIER-02 notice #${n.id}: ${n.kind}")
            }
            val view = (engine.query("customer:SUPPLIER-07", Query.Campaign(campaign)) as Answer.Campaign).v1
            println("SUPPLIER-07 sees ${view.id} in ${view.phase}, its cut-off ${view.cutoffs.single().until}")
            // SUPPLIER-02's own system reads its feed from the store by cursor.
            val feed = engine.feed("customer:SUPPLIER-02", 0, 100)
            println("SUPPLIER-02's feed: ${feed.notifications.size} notice(s), next cursor ${feed.cursor}")
            engine.snapshot()
            val log = Files.createTempFile("back-office", ".jsonl")
            engine.exportLog(log.toString())
            println("Exported ${engine.lastSeq()} events: ${describe(CommsHubOta.verifyLog(log.toString()))}")
            Files.deleteIfExists(log)
        }
        // A restart: from the snapshot, nothing replayed; the store's chain verifies.
        Engine.open(store, 10_000).use { restarted ->
            val report = restarted.openReport()!!
            println("Restarted from the snapshot at event ${report.snapshot}, ${report.replayed} replayed; ${describe(restarted.verifyStore())}")
        }
    } finally {
        dir.toFile().deleteRecursively()
    }
}

/** What a verification found, as a sentence. */
fun describe(verified: Verified): String = when (verified) {
    is Verified.Chained -> "audit chain verified over ${verified.events} events (last hash ${verified.lastHash.take(12)}...)"
    is Verified.Unchained -> "${verified.events} events, without an audit chain"
}
