// Columnar answers on the JVM: the CSP's whole upgrade list, a customer's estate and its
// Deployed Products List, each as Arrow IPC stream bytes (one crossing of JNA) read with Arrow
// Java (`ArrowStreamReader`), the way a back-office service would feed them to its own tables.
// The estate: N hubs of one north variant, one in ten on 1.2 (hub 1, 11, 21, ...) (so upgradeable to 2.0), the rest
// already on 2.0; fifteen suppliers, each having approved its whole estate for the campaign.
// Run by Maven once, small, so that it cannot rot; the figure in docs/benchmarks.md is
//   java -Djna.library.path=<dir of the .so> --add-opens=java.base/java.nio=ALL-UNNAMED \
//        -cp <classpath with arrow-vector> commshub.ota.examples.ColumnarKt 1000000 5
package commshub.ota.examples

import commshub.ota.*
import commshub.ota.model.*
import org.apache.arrow.memory.RootAllocator
import org.apache.arrow.vector.UInt8Vector
import org.apache.arrow.vector.VarCharVector
import org.apache.arrow.vector.ipc.ArrowStreamReader
import java.io.ByteArrayInputStream
import java.time.Duration
import java.time.Instant

private val T: Instant = Instant.parse("2026-09-01T09:00:00Z")
private fun on(day: Long): Instant = T.plus(Duration.ofDays(day))

/** The rows of an Arrow IPC stream, and the bytes of its `hub` column (read, not just counted). */
private fun read(allocator: RootAllocator, bytes: ByteArray): Pair<Long, Long> {
    var rows = 0L
    var hubBytes = 0L
    ArrowStreamReader(ByteArrayInputStream(bytes), allocator).use { reader ->
        while (reader.loadNextBatch()) {
            val root = reader.vectorSchemaRoot
            rows += root.rowCount
            // Each hub is its EUI-64's 64 bits (8 bytes); CommsHubOta.hubText gives its text.
            val hub = root.getVector("hub") as UInt8Vector
            for (i in 0 until root.rowCount) if (!hub.isNull(i)) hubBytes += 8
        }
    }
    return rows to hubBytes
}

fun main(args: Array<String>) {
    val hubs = args.getOrNull(0)?.toInt() ?: 1_000_000
    val runs = args.getOrNull(1)?.toInt() ?: 5
    val variant = "MERIDIAN-DB-NORTH"
    val (dcc, csp) = "dcc" to "csp:north"
    val suppliers = (1..15).map { "SUPPLIER-%02d".format(it) }
    Engine().use { engine ->
        readyCatalogue(engine, T, variant, listOf("1.2" to emptyList(), "2.0" to listOf("1.2")))
        // The estate as one dictionary-encoded table: each string crosses JNA once.
        val table = EstateTableInput(
            variants = listOf(variant), firmwareVersions = listOf("1.2", "2.0"), customers = suppliers,
            devices = listOf(HanDevice("EM-A1", "3.1")), dates = listOf("2024-03-01", "2024-03-02"),
            id = (0 until hubs).map { "%016X".format(0x0024B8L shl 40 or it.toLong()) },
            variant = List(hubs) { 0 }, firmware = List(hubs) { if (it % 10 == 1) 0 else 1 },
            smiStatus = List(hubs) { SmiStatus.COMMISSIONED }, installedOn = List(hubs) { 0 },
            commissionedOn = List(hubs) { 1 }, importSupplier = List(hubs) { it % 15 }, esme = List(hubs) { 0 },
        )
        engine.loadEstateTable(dcc, on(1), table)
        val campaign = "COLUMNAR-N-2.0"
        engine.execute(dcc, on(2), Command.CreateCampaign(CreateCampaign(campaign, variant, "2.0", on(60))))
        engine.execute(dcc, on(3), Command.GrantPilotOa(GrantPilotOa(campaign)))
        suppliers.forEach { engine.execute("customer:$it", on(4), Command.ApproveWholeEstate(ApproveWholeEstate(campaign))) }

        RootAllocator().use { allocator ->
            // The whole upgrade list: one native call, one Arrow Java read.
            val times = (0..runs).map {
                val started = System.nanoTime()
                val (rows, hubBytes) = read(allocator, engine.queryArrow(csp, ColumnarQuery.UpgradeList(Region.NORTH, on(5))))
                check(rows == (hubs + 8L) / 10 && hubBytes == rows * 8) { "the list is every hub on 1.2: $rows rows" }
                (System.nanoTime() - started) / 1e6
            }.drop(1).sorted() // the first run warms the JIT
            println("Upgrade list of $hubs hubs: ${(hubs + 8) / 10} rows into Arrow Java, median %.1f ms of $runs runs".format(times[times.size / 2]))

            // A supplier's own estate, and its Deployed Products List.
            val (estate, _) = read(allocator, engine.queryArrow("customer:SUPPLIER-02", ColumnarQuery.CustomerEstate("SUPPLIER-02")))
            println("SUPPLIER-02's estate as Arrow: $estate hubs (the other suppliers' names never travel)")
            ArrowStreamReader(ByteArrayInputStream(engine.queryArrow("customer:SUPPLIER-02", ColumnarQuery.ConfigurationSets("SUPPLIER-02"))), allocator).use { reader ->
                while (reader.loadNextBatch()) {
                    val root = reader.vectorSchemaRoot
                    val sets = root.getVector("configuration_set") as VarCharVector
                    val count = root.getVector("hubs")
                    for (i in 0 until root.rowCount) {
                        println("SUPPLIER-02 DPL: ${String(sets.get(i))} on ${count.getObject(i)} hubs")
                    }
                }
            }
        }
    }
}
