# standin_run.tcl -- run a zynqnet Tcl script under the Vivado stand-in with plain tclsh.
#
#   tclsh standin_run.tcl [-version 2024.1] [-board-parts {bp ...}] [-run-result ok|fail]
#                         [-wns NS] [-whs NS] [-env NAME=VALUE]... [-report FILE] SCRIPT.tcl
#
# Exit 0 and (with -report) a JSON description of the project, block design and addresses
# when the script ran through; exit 1 with "standin-run: <error>" on stderr otherwise.
source [file join [file dirname [file normalize [info script]]] vivado_standin.tcl]

set report ""
set script ""
set i 0
while {$i < [llength $argv]} {
    set a [lindex $argv $i]
    switch -- $a {
        -version { incr i; set ::sv::opt(version) [lindex $argv $i] }
        -board-parts { incr i; set ::sv::opt(installed_board_parts) [lindex $argv $i] }
        -run-result { incr i; set ::sv::opt(run_result) [lindex $argv $i] }
        -wns { incr i; set ::sv::opt(wns) [lindex $argv $i] }
        -whs { incr i; set ::sv::opt(whs) [lindex $argv $i] }
        -env {
            incr i
            if {![regexp {^([A-Za-z_][A-Za-z0-9_]*)=(.*)$} [lindex $argv $i] -> n v]} { puts stderr "standin-run: -env NAME=VALUE"; exit 2 }
            set ::env($n) $v
        }
        -report { incr i; set report [lindex $argv $i] }
        default {
            if {$script ne ""} { puts stderr "standin-run: more than one script given"; exit 2 }
            set script $a
        }
    }
    incr i
}
if {$script eq ""} { puts stderr "usage: tclsh standin_run.tcl \[options\] SCRIPT.tcl"; exit 2 }

if {[catch {uplevel #0 [list source $script]; ::sv::check_build_contract [file dirname [file normalize $script]]} err]} {
    puts stderr "standin-run: $err"
    exit 1
}
if {$report ne ""} {
    if {[catch {::sv::write_report $report [file dirname [file normalize $script]]} err]} {
        puts stderr "standin-run: report: $err"
        exit 1
    }
}
puts "standin-run: $script ran through"
exit 0
