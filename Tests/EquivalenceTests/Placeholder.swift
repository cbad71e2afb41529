import BNCore
