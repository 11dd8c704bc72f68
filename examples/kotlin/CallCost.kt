// The cost of crossing the JNA boundary from Kotlin: one small call (a query answering one
// number) repeated many times, and one bulk call (loading N hubs as a list of records, and as
// one dictionary-encoded table), each reported as a median over repeated runs. Run by Maven once, small, so that it cannot rot:
//   java -Djna.library.path=<dir of the .so> -cp <classpath> commshub.ota.examples.CallCostKt [hubs] [runs]
package commshub.ota.examples

import commshub.ota.*
import commshub.ota.model.*
import java.time.Duration
import java.time.Instant

private val START: Instant = Instant.parse("2026-09-01T09:00:00Z")

private fun median(xs: List<Double>) = xs.sorted()[xs.size / 2]

private fun catalogue(engine: Engine, variant: String) {
    engine.execute("dcc", START, Command.RegisterVariant(RegisterVariant(Variant(variant, "Meridian", "CH-DB", "B2", HanBand.DUAL_BAND, Region.NORTH))))
    engine.execute("csp:north", START, Command.RegisterFirmware(RegisterFirmware(variant, "1.1")))
}

fun main(args: Array<String>) {
    val hubs = args.getOrNull(0)?.toInt() ?: 100_000
    val runs = args.getOrNull(1)?.toInt() ?: 5
    val variant = "MERIDIAN-DB-NORTH"
    val rows = (0 until hubs).map { i ->
        HubInput(
            id = "%016X".format(0x0024B8L shl 40 or i.toLong()), variant = variant, firmware = "1.1",
            smiStatus = SmiStatus.COMMISSIONED, installedOn = "2024-03-01", commissionedOn = "2024-03-02",
            devices = HanDevices(esme = HanDevice("EM-A1", "3.1")),
            importSupplier = "SUPPLIER-%02d".format(i % 15 + 1),
        )
    }
    // One small call: hubCount() takes the lock and answers a number.
    val small = Engine().use { engine ->
        val calls = 100_000
        repeat(calls) { engine.hubCount() } // warm-up (JIT, JNA)
        (1..runs).map {
            val t = System.nanoTime()
            repeat(calls) { engine.hubCount() }
            (System.nanoTime() - t).toDouble() / calls
        }
    }
    // One bulk call: the whole list of records in one loadEstate, into a fresh engine each run.
    val bulk = (0..runs).map {
        Engine().use { engine ->
            catalogue(engine, variant)
            val t = System.nanoTime()
            engine.loadEstate("dcc", START.plus(Duration.ofDays(1)), rows)
            (System.nanoTime() - t) / 1e6
        }
    }.drop(1) // the first run warms the JIT
    // The same hubs as one dictionary-encoded table: each string crosses JNA once, hubs as codes.
    val suppliers = (1..15).map { "SUPPLIER-%02d".format(it) }
    val table = EstateTableInput(
        variants = listOf(variant), firmwareVersions = listOf("1.1"), customers = suppliers,
        devices = listOf(HanDevice("EM-A1", "3.1")), dates = listOf("2024-03-01", "2024-03-02"),
        id = rows.map { it.id }, variant = List(hubs) { 0 }, firmware = List(hubs) { 0 },
        smiStatus = List(hubs) { SmiStatus.COMMISSIONED }, installedOn = List(hubs) { 0 },
        commissionedOn = List(hubs) { 1 }, importSupplier = List(hubs) { i -> i % 15 },
        esme = List(hubs) { 0 },
    )
    val columnar = (0..runs).map {
        Engine().use { engine ->
            catalogue(engine, variant)
            val t = System.nanoTime()
            engine.loadEstateTable("dcc", START.plus(Duration.ofDays(1)), table)
            (System.nanoTime() - t) / 1e6
        }
    }.drop(1)
    println("kotlin binding (JNA), median of $runs runs")
    println("| one small call (hubCount) | %.2f us |".format(median(small) / 1e3))
    println("| one bulk call: loadEstate of $hubs hubs | %.0f ms (%.2f us a hub) |".format(median(bulk), median(bulk) * 1e3 / hubs))
    println("| one bulk call: loadEstateTable of $hubs hubs | %.0f ms (%.2f us a hub) |".format(median(columnar), median(columnar) * 1e3 / hubs))
}
