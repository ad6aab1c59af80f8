// Prints the emulator benchmarks' rows: a markdown table (--markdown) or readable lines.
export function printResults(results, markdown) {
  if (markdown) {
    console.log('| measurement | emulator | plain SDK script | ratio |')
    console.log('|---|---|---|---|')
    for (const row of results) console.log(`| ${row.name} | ${row.emulator} | ${row.sdk} | ${row.ratio.toFixed(2)} |`)
  } else {
    for (const row of results)
      console.log(`${row.name}\n  emulator: ${row.emulator}\n  SDK:      ${row.sdk}\n  ratio:    ${row.ratio.toFixed(2)}`)
  }
}
