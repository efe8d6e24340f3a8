print("ruyi")
