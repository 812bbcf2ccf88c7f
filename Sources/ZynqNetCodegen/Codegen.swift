import ZynqNetHW
import ZynqNetModel
