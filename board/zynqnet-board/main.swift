print("zynqnet-board")
